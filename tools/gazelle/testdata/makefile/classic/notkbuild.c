int notkbuild;
