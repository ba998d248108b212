package uploads

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/videos"
)

// Handler is a blob endpoint for an authenticated account.
type Handler func(w http.ResponseWriter, r *http.Request, accountID string) error

// Routes registers the blob and storage endpoints with route, which
// authenticates them.
func (u *Uploads) Routes(route func(pattern string, h Handler)) {
	p := account.Prefix
	route("HEAD "+p+"/blobs/{sha256}", u.headBlob)
	route("GET "+p+"/blobs/{sha256}", u.getBlob)
	route("DELETE "+p+"/blobs/{sha256}", u.forgetBlob)
	route("POST "+p+"/blobs/{sha256}", u.claimBlob)
	route("GET "+p+"/storage", u.storage)
}

var errNoBlob = &Error{http.StatusNotFound, account.CodeNotFound, "this account holds no such file on the server"}

// hold is the size the account holds the blob at, or errNoBlob.
func (u *Uploads) hold(ctx context.Context, acct, sum string) (int64, error) {
	if !validSum(sum) {
		return 0, errNoBlob
	}
	var size int64
	err := u.cfg.Read.QueryRowContext(ctx, `SELECT size FROM blob_holds WHERE account_id = ? AND sha256 = ?`, acct, sum).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNoBlob
	}
	if err != nil {
		return 0, fmt.Errorf("find blob %s: %w", sum, err)
	}
	return size, nil
}

func (u *Uploads) headBlob(w http.ResponseWriter, r *http.Request, acct string) error {
	size, err := u.hold(r.Context(), acct, r.PathValue("sha256"))
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			w.WriteHeader(e.Status) // a HEAD answer has no body
			return nil
		}
		return err
	}
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("ETag", `"`+r.PathValue("sha256")+`"`)
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBlob serves the bytes, with Range and If-Range against the ETag (the
// sum), so that a download resumes.
func (u *Uploads) getBlob(w http.ResponseWriter, r *http.Request, acct string) error {
	sum := r.PathValue("sha256")
	if _, err := u.hold(r.Context(), acct, sum); err != nil {
		return err
	}
	f, err := u.cfg.Blobs.OpenBlob(sum)
	if err != nil {
		return fmt.Errorf("open blob %s: %w", sum, err)
	}
	defer f.Close()
	w.Header().Set("ETag", `"`+sum+`"`)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, f) // no Last-Modified: the ETag (the sum) says it all
	return nil
}

// forgetBlob drops the account's hold; the bytes go once nothing names
// them.
func (u *Uploads) forgetBlob(w http.ResponseWriter, r *http.Request, acct string) error {
	sum := r.PathValue("sha256")
	if !validSum(sum) {
		return errNoBlob
	}
	err := u.cfg.Write(r.Context(), func(ctx context.Context, x Exec, after func(func())) error {
		res, err := x.ExecContext(ctx, `DELETE FROM blob_holds WHERE account_id = ? AND sha256 = ?`, acct, sum)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoBlob
		}
		after(func() { u.RemoveUnnamed(ctx, sum) })
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RemoveUnnamed removes a blob nothing names any more. Call it after a
// commit, on the writer, so that no write can name it meanwhile.
func (u *Uploads) RemoveUnnamed(ctx context.Context, sum string) {
	n, err := videos.BlobUses(ctx, u.cfg.Read, sum)
	if err == nil && n == 0 {
		err = u.cfg.Blobs.Remove(sum)
	}
	if err != nil {
		u.cfg.Log.Error("remove a forgotten blob", "sha256", sum, "error", err)
	}
}

// claimBody is POST Prefix/blobs/{sha256}.
type claimBody struct {
	Kind    string `json:"kind"`
	Project string `json:"project"`
}

// claimBlob is "I have this blob too": it succeeds only when the account
// already holds those bytes, so that nobody gets bytes by guessing a sum.
func (u *Uploads) claimBlob(w http.ResponseWriter, r *http.Request, acct string) error {
	var b claimBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&b); err != nil {
		return &Error{http.StatusBadRequest, account.CodeBadRequest, "send {\"kind\": \"clip\" or \"film\", \"project\": …}"}
	}
	if b.Kind != account.BlobClip && b.Kind != account.BlobFilm {
		return &Error{http.StatusBadRequest, account.CodeBadRequest, fmt.Sprintf("kind must be %q or %q", account.BlobClip, account.BlobFilm)}
	}
	size, err := u.hold(r.Context(), acct, r.PathValue("sha256"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	return nil
}

// storage is GET Prefix/storage: what the account uses, largest first.
func (u *Uploads) storage(w http.ResponseWriter, r *http.Request, acct string) error {
	ctx := r.Context()
	used, others, err := u.used(ctx, u.cfg.Read, acct)
	if err != nil {
		return err
	}
	rows, err := u.cfg.Read.QueryContext(ctx, `SELECT sha256, kind, project, size FROM blob_holds WHERE account_id = ? ORDER BY size DESC, sha256`, acct)
	if err != nil {
		return fmt.Errorf("list storage: %w", err)
	}
	defer rows.Close()
	st := account.Storage{Quota: max(u.cfg.Quota, 0), Used: used, Items: []account.StorageItem{}}
	for rows.Next() {
		var it account.StorageItem
		if err := rows.Scan(&it.SHA256, &it.Kind, &it.Project, &it.Size); err != nil {
			return fmt.Errorf("list storage: %w", err)
		}
		st.Items = append(st.Items, it)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list storage: %w", err)
	}
	st.Items = append(st.Items, others...)
	slices.SortStableFunc(st.Items, func(a, b account.StorageItem) int { return int(min(max(b.Size-a.Size, -1), 1)) })
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(st)
}
