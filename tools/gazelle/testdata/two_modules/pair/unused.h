/* Included by no source: in no hdrs. */
