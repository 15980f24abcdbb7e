int unwanted;
