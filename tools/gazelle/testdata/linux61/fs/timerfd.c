/* Placeholder for fs/timerfd.c of Linux 6.1: only its name matters here. */
