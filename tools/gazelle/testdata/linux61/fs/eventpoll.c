/* Placeholder for fs/eventpoll.c of Linux 6.1: only its name matters here. */
