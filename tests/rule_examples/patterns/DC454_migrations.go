// path: storage/sql/migrate.go
// SQL migrations held in Go strings (dex's list of statements): read as a .sql migration is.
package sql

var migrations = []migration{
	{
		stmts: []string{
			`alter table auth_session add column idle_expiry timestamptz not null default '1970-01-01';`, // ok: DC454
			`delete from auth_session;`, // error: DC454
			`delete from auth_session where idle_expiry < now();`, // ok: DC454
			`update keys set rotated = true;`, // error: DC454
			`update keys set rotated = true where id = 'keys';`, // ok: DC454
			`alter table password drop column hash_old;`, // error: DC454
			`drop table legacy_refresh;`, // error: DC454
		},
	},
}
