int submod(void);
