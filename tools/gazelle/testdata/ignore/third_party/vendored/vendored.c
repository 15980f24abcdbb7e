int vendored;
