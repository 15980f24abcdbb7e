#include "../builtin/core.h"
int helper(void);
