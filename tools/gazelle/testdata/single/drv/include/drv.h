int drv_util(void);
