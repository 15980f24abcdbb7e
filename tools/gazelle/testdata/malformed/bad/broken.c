int broken;
