int beta_core(void) { return 2; }
