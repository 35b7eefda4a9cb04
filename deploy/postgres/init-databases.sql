-- One database per data service, owned by the application role (POSTGRES_USER=spn).
-- Runs once, when the postgres volume is first initialised.
-- A UTF-8 character type, so that pg_trgm treats Armenian letters as letters and the search
-- indexes serve Armenian queries (with LC_CTYPE=C they would be read in full instead).
CREATE DATABASE registry OWNER spn ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
CREATE DATABASE councils OWNER spn ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
CREATE DATABASE grants OWNER spn ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
