int twin_a_fn(void) { return 0; }
EXPORT_SYMBOL(twin_a_fn);
