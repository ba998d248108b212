package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/confusable"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// A username or handle is refused when it looks like one already taken:
// each row keeps the name's confusable key, under a unique index, so the
// database itself settles two registrations that race. Lookups stay by
// the exact name; the key only ever refuses.

// nameColumns are the two kinds of name the rule covers.
var nameColumns = [...]struct{ table, name, key string }{
	{"accounts", "username", "username_skeleton"},
	{"members", "handle", "handle_skeleton"},
}

// fillLookAlikeKeys is the Go step of migration lookalikes: it gives the
// rows from before it their keys, oldest first. Where an older row holds
// a key already, the newer one keeps NULL and its name: nobody loses a
// name they had, and any later look-alike of either is refused.
func fillLookAlikeKeys(ctx context.Context, tx sqlitedb.Queryer) error {
	for _, c := range nameColumns {
		type row struct{ id, name string }
		all, err := sqlitedb.All(ctx, tx, func(sc sqlitedb.Row) (r row, err error) {
			err = sc.Scan(&r.id, &r.name)
			return r, err
		}, `SELECT id, `+c.name+` FROM `+c.table+` ORDER BY created_at, id`)
		if err != nil {
			return fmt.Errorf("fill %s: %w", c.key, err)
		}
		for _, r := range all {
			_, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.key+` = ? WHERE id = ?`, confusable.Key(r.name), r.id)
			if err != nil && !isUnique(err) {
				return fmt.Errorf("fill %s of %s: %w", c.key, r.name, err)
			}
		}
	}
	return nil
}

// nameTaken says why a username or handle cannot be had, after the
// database refused it as not unique: it is taken, or it looks like one
// that is. The second answer is "" when neither is so (another column
// was the duplicate).
func nameTaken(ctx context.Context, t *txn, table, name string) (string, error) {
	for _, c := range nameColumns {
		if c.table != table {
			continue
		}
		what := map[string]string{"accounts": "username", "members": "handle"}[table]
		var n int
		if err := t.queryRow(ctx, `SELECT count(*) FROM `+c.table+` WHERE `+c.name+` = ?`, name).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			return fmt.Sprintf("the %s %s is taken; choose another", what, name), nil
		}
		var like string
		err := t.queryRow(ctx, `SELECT `+c.name+` FROM `+c.table+` WHERE `+c.key+` = ?`, confusable.Key(name)).Scan(&like)
		if isNoRows(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("the %s %s is too similar to %s, which is taken, and people could mistake one for the other; choose another", what, name, like), nil
	}
	return "", fmt.Errorf("no names in table %s", table)
}

// conflict is the 409 for a name nameTaken explained.
func conflict(msg string) error {
	return errorf(http.StatusConflict, account.CodeConflict, "%s", msg)
}

// logKeptLookAlikes tells the operator which names were registered as
// look-alikes before the rule, and kept: people may confuse them.
func (s *Server) logKeptLookAlikes(ctx context.Context) {
	for _, c := range nameColumns {
		names, err := sqlitedb.All(ctx, s.st.r, sqlitedb.String, `SELECT `+c.name+` FROM `+c.table+` WHERE `+c.key+` IS NULL`)
		if err != nil {
			s.log.Error("list look-alike names", "error", err)
			return
		}
		if len(names) > 0 {
			s.log.Warn("names registered before look-alikes were refused, each like an older one; kept", c.name, names)
		}
	}
}
