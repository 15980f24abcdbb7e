int debug;
