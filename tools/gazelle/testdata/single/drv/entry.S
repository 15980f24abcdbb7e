/* entry */
#include <asm/regs.h>
