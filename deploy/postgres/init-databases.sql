-- One database per data service, owned by the application role (POSTGRES_USER=spn).
-- Runs once, when the postgres volume is first initialised.
CREATE DATABASE registry OWNER spn;
CREATE DATABASE councils OWNER spn;
CREATE DATABASE grants OWNER spn;
