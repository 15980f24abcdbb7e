/* Placeholder for fs/proc_namespace.c of Linux 6.1: only its name matters here. */
