/* Placeholder for fs/isofs/rock.c of Linux 6.1: only its name matters here. */
