extern int twin_a_fn(void);
int twin_b_fn(void) { return twin_a_fn() + prod_add(1, 1); }
