// Package uploads is slate-server's side of sync's blobs (issue 13):
// tusd's handler with its filestore at account.TusPath, so that a studio's
// upload of a rendered clip or an exported film resumes at the byte, and
// the endpoints under account.Prefix/blobs and /storage that tell a studio
// what its account holds and give the bytes back.
//
// tusd implements no checksum extension: the whole file's sha256 travels
// in Upload-Metadata, and the final PATCH hashes what arrived before the
// blob is accepted into the blob store. A mismatch answers 460 with
// account.CodeDamaged and stores nothing. A match moves the file into the
// store and records the account's hold on the server's writer, in one step:
// the bytes are in place before the hold that names them, and a crash in
// between leaves bytes without a hold, which the start-up sweep removes.
package uploads

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	xslog "golang.org/x/exp/slog"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/blobstore"
	"github.com/slatestudio/slate/internal/clock"
)

// Exec runs a statement inside the server's write transaction.
type Exec interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Config connects the uploads to the rest of the server.
type Config struct {
	// Dir is the server's data directory: uploads in progress lie in
	// Dir/uploads, on the blob store's filesystem, so that a finished
	// one is renamed, not copied, into the store.
	Dir   string
	Blobs *blobstore.Store
	// Read is the server's pool of reading connections.
	Read *sql.DB
	// Write runs fn in a write transaction on the server's one writer;
	// after runs once it commits, still on the writer (blob removals).
	Write func(ctx context.Context, fn func(ctx context.Context, x Exec, after func(func())) error) error
	// Quota is each account's space in bytes (0: none); MaxUpload the
	// largest file (0: none).
	Quota, MaxUpload int64
	// Others sums what else an account stores (project revisions,
	// issue 13's projects), for the quota and GET storage; nil: nothing.
	Others func(ctx context.Context, accountID string) (int64, []account.StorageItem, error)
	// WrapStore, when set, wraps tusd's file store: tests put a full disk
	// under it.
	WrapStore StoreWrapper
	Log       *slog.Logger
	Clock     clock.Clock
}

// StoreWrapper wraps tusd's store of uploads in progress.
type StoreWrapper = func(handler.DataStore) handler.DataStore

// Uploads is the tus endpoint and the blob endpoints of one server.
type Uploads struct {
	cfg   Config
	tus   *handler.Handler
	store handler.DataStore
}

// callerKey carries the authenticated account's ID into tusd's hooks.
type callerKey struct{}

// metaAccount is the metadata key under which an upload records its
// account; the pre-create hook sets it, whatever the client sent.
const metaAccount = "slate-account"

// New makes the tus handler over Dir/uploads.
func New(cfg Config) (*Uploads, error) {
	dir := filepath.Join(cfg.Dir, "uploads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open uploads: %w", err)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Clock = clock.Or(cfg.Clock)
	u := &Uploads{cfg: cfg}
	var store handler.DataStore = filestore.New(dir)
	if cfg.WrapStore != nil {
		store = cfg.WrapStore(store)
	}
	u.store = &wrapped{DataStore: store, hashes: map[string]*runningHash{}}
	composer := handler.NewStoreComposer()
	composer.UseCore(u.store)
	composer.UseTerminater(u.store.(handler.TerminaterDataStore))
	// A PATCH cut off may still be writing when the client's retry
	// arrives: the lock makes the retry wait for it (or ask it to stop).
	memorylocker.New().UseIn(composer)
	h, err := handler.NewHandler(handler.Config{
		BasePath:                  account.TusPath,
		StoreComposer:             composer,
		MaxSize:                   cfg.MaxUpload,
		DisableDownload:           true,
		PreUploadCreateCallback:   u.preCreate,
		PreFinishResponseCallback: u.preFinish,
		Logger:                    xslog.New(xslog.NewTextHandler(io.Discard, nil)), // tusd logs every request; the server logs its own
	})
	if err != nil {
		return nil, fmt.Errorf("open uploads: %w", err)
	}
	u.tus = h
	return u, nil
}

// Error is an answer with an account.Error body.
type Error struct {
	Status    int
	Code, Msg string
}

// Error says the status, code and message.
func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Msg) }

// Write writes the answer.
func (e *Error) Write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(account.Error{Error: account.ErrorBody{Code: e.Code, Message: e.Msg}})
}

// tusError turns e into the error a tusd hook returns, so that tusd
// answers with e's status and JSON body.
func tusError(e *Error) error {
	b, _ := json.Marshal(account.Error{Error: account.ErrorBody{Code: e.Code, Message: e.Msg}})
	return handler.Error{ErrorCode: e.Code, Message: e.Msg, HTTPResponse: handler.HTTPResponse{
		StatusCode: e.Status, Body: string(b), Header: handler.HTTPHeader{"Content-Type": "application/json"},
	}}
}

// StatusDamaged is the status of an upload whose bytes do not hash to the
// sha256 it was sent with (460, as tus clients use for checksum errors).
const StatusDamaged = 460

// Serve serves a tus request for the account accountID, which the
// server's middleware authenticated. A request about an existing upload
// is served only to the account that created it.
func (u *Uploads) Serve(w http.ResponseWriter, r *http.Request, accountID string) error {
	if id := strings.Trim(strings.TrimPrefix(r.URL.Path, account.TusPath), "/"); id != "" && r.Method != http.MethodOptions {
		up, err := u.store.GetUpload(r.Context(), id)
		if err != nil {
			return &Error{http.StatusNotFound, account.CodeNotFound, "that upload is not on the server (it finished, was cancelled or never started); start it again"}
		}
		info, err := up.GetInfo(r.Context())
		if err != nil || info.MetaData[metaAccount] != accountID {
			return &Error{http.StatusNotFound, account.CodeNotFound, "that upload is not on the server (it finished, was cancelled or never started); start it again"}
		}
	}
	ctx := context.WithValue(r.Context(), callerKey{}, accountID)
	http.StripPrefix(strings.TrimSuffix(account.TusPath, "/"), u.tus).ServeHTTP(w, r.WithContext(ctx))
	return nil
}

// preCreate checks a new upload: the session, its metadata, its size
// against the limit and the account's quota, and that it is no clip whose
// use was removed. It records the account in the upload's metadata.
func (u *Uploads) preCreate(hook handler.HookEvent) (handler.HTTPResponse, handler.FileInfoChanges, error) {
	ctx := hook.Context
	acct, _ := ctx.Value(callerKey{}).(string)
	fail := func(e *Error) (handler.HTTPResponse, handler.FileInfoChanges, error) {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, tusError(e)
	}
	if acct == "" {
		return fail(&Error{http.StatusUnauthorized, account.CodeUnauthorized, "log in first"})
	}
	md := hook.Upload.MetaData
	sum, kind, project := md[account.TusSHA256], md[account.TusKind], md[account.TusProject]
	if !validSum(sum) {
		return fail(&Error{http.StatusBadRequest, account.CodeBadRequest, "Upload-Metadata needs sha256: the file's sha256 as 64 lowercase hex digits"})
	}
	if kind != account.BlobClip && kind != account.BlobFilm {
		return fail(&Error{http.StatusBadRequest, account.CodeBadRequest, fmt.Sprintf("Upload-Metadata kind must be %q or %q", account.BlobClip, account.BlobFilm)})
	}
	if hook.Upload.SizeIsDeferred {
		return fail(&Error{http.StatusBadRequest, account.CodeBadRequest, "give the upload's length (Upload-Length) when creating it"})
	}
	if err := u.refuse(ctx, u.cfg.Read, acct, sum, hook.Upload.Size); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return fail(e)
		}
		return fail(&Error{http.StatusInternalServerError, account.CodeInternal, "internal error; the server's log has the details"})
	}
	return handler.HTTPResponse{}, handler.FileInfoChanges{MetaData: handler.MetaData{
		account.TusSHA256: sum, account.TusKind: kind, account.TusProject: project, metaAccount: acct,
	}}, nil
}

// refuse says why the account may not add a blob of size bytes: a use of
// that clip was removed by the person it features, or the quota is full.
func (u *Uploads) refuse(ctx context.Context, q querier, acct, sum string, size int64) error {
	var removed int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM uses WHERE creator_id = ? AND clip_sha256 = ? AND removed_at IS NOT NULL`, acct, sum).Scan(&removed); err != nil {
		return fmt.Errorf("check removed uses: %w", err)
	}
	if removed > 0 {
		return &Error{http.StatusForbidden, account.CodeForbidden, "this clip's use was removed by the person it features"}
	}
	if u.cfg.Quota <= 0 {
		return nil
	}
	var held int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM blob_holds WHERE account_id = ? AND sha256 = ?`, acct, sum).Scan(&held); err != nil {
		return fmt.Errorf("check quota: %w", err)
	}
	if held > 0 {
		return nil // it takes no more space
	}
	used, _, err := u.used(ctx, q, acct)
	if err != nil {
		return err
	}
	if used+size > u.cfg.Quota {
		return &Error{http.StatusInsufficientStorage, account.CodeQuota, fmt.Sprintf("your %s on the server are full: delete old films or ask for more", Bytes(u.cfg.Quota))}
	}
	return nil
}

// querier reads: the pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// used is the bytes an account stores: its holds, and what Others adds.
func (u *Uploads) used(ctx context.Context, q querier, acct string) (int64, []account.StorageItem, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM blob_holds WHERE account_id = ?`, acct).Scan(&n); err != nil {
		return 0, nil, fmt.Errorf("sum the account's storage: %w", err)
	}
	if u.cfg.Others == nil {
		return n, nil, nil
	}
	m, items, err := u.cfg.Others(ctx, acct)
	if err != nil {
		return 0, nil, fmt.Errorf("sum the account's storage: %w", err)
	}
	return n + m, items, nil
}

// Bytes writes a quota as a person reads it: "10 GB", "512 MB".
func Bytes(n int64) string {
	const gb, mb = 1_000_000_000, 1_000_000
	switch {
	case n >= gb && n%gb == 0:
		return fmt.Sprintf("%d GB", n/gb)
	case n >= gb:
		return fmt.Sprintf("%.1f GB", float64(n)/gb)
	case n >= mb:
		return fmt.Sprintf("%d MB", n/mb)
	}
	return fmt.Sprintf("%d bytes", n)
}

// preFinish hashes a complete upload and accepts it into the blob store
// with the account's hold, or refuses it as damaged and removes it.
func (u *Uploads) preFinish(hook handler.HookEvent) (handler.HTTPResponse, error) {
	ctx := hook.Context
	info := hook.Upload
	acct, sum := info.MetaData[metaAccount], info.MetaData[account.TusSHA256]
	path := info.Storage[filestore.StorageKeyPath]
	got, ok := u.store.(*wrapped).sum(info.ID, info.Size)
	// The upload's handle is taken now: once its bytes are in the blob
	// store, the file store no longer finds it to remove its info.
	up, err := u.store.GetUpload(ctx, info.ID)
	if err != nil {
		u.cfg.Log.Error("find a finished upload", "upload", info.ID, "error", err)
		return handler.HTTPResponse{}, tusError(&Error{http.StatusInternalServerError, account.CodeInternal, "internal error; the server's log has the details"})
	}
	done := u.store.(handler.TerminaterDataStore).AsTerminatableUpload(up)
	terminate := func() {
		if err := done.Terminate(ctx); err != nil {
			u.cfg.Log.Error("remove a finished upload", "upload", info.ID, "error", err)
		}
	}
	if !ok {
		got, err = hashFile(path)
	}
	if err != nil {
		u.cfg.Log.Error("hash a finished upload", "upload", info.ID, "error", err)
		return handler.HTTPResponse{}, tusError(&Error{http.StatusInternalServerError, account.CodeInternal, "internal error; the server's log has the details"})
	}
	if got != sum {
		terminate()
		return handler.HTTPResponse{}, tusError(&Error{StatusDamaged, account.CodeDamaged,
			"the file arrived damaged (its sha256 does not match): nothing was stored; send it again"})
	}
	err = u.cfg.Write(ctx, func(ctx context.Context, x Exec, _ func(func())) error {
		if err := u.refuse(ctx, x, acct, sum, info.Size); err != nil {
			return err
		}
		// The bytes go into the store before the hold that names them;
		// both happen on the writer, so no deletion can remove the blob
		// in between.
		if err := u.cfg.Blobs.Adopt(path, sum); err != nil {
			return err
		}
		_, err := x.ExecContext(ctx, `INSERT INTO blob_holds (account_id, sha256, kind, project, size, at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, sha256) DO NOTHING`,
			acct, sum, info.MetaData[account.TusKind], info.MetaData[account.TusProject], info.Size, u.cfg.Clock.Now().UnixMilli())
		return err
	})
	terminate()
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return handler.HTTPResponse{}, tusError(e)
		}
		u.cfg.Log.Error("accept a finished upload", "upload", info.ID, "error", err)
		return handler.HTTPResponse{}, tusError(&Error{http.StatusInternalServerError, account.CodeInternal, "internal error; the server's log has the details"})
	}
	return handler.HTTPResponse{}, nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// wrapped is tusd's store with two additions: an upload's bytes are
// hashed as they are written, so that the final PATCH need not read the
// whole file again (after a restart, or a write that failed part-way, the
// running hash is dropped and the file is read instead); and a full disk
// answers a clear 507, where tusd would answer a bare 500.
type wrapped struct {
	handler.DataStore
	mu     sync.Mutex
	hashes map[string]*runningHash // by upload ID
}

// runningHash is the sha256 of an upload's first offset bytes.
type runningHash struct {
	h      hash.Hash
	offset int64
}

type wrappedUpload struct {
	handler.Upload
	s  *wrapped
	id string
}

func (d *wrapped) NewUpload(ctx context.Context, info handler.FileInfo) (handler.Upload, error) {
	up, err := d.DataStore.NewUpload(ctx, info)
	if err != nil {
		return nil, full(err)
	}
	got, err := up.GetInfo(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.hashes[got.ID] = &runningHash{h: sha256.New()}
	d.mu.Unlock()
	return wrappedUpload{up, d, got.ID}, nil
}

func (d *wrapped) GetUpload(ctx context.Context, id string) (handler.Upload, error) {
	up, err := d.DataStore.GetUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	return wrappedUpload{up, d, id}, nil
}

// AsTerminatableUpload reaches the store's own upload under the wrapper.
func (d *wrapped) AsTerminatableUpload(up handler.Upload) handler.TerminatableUpload {
	if w, ok := up.(wrappedUpload); ok {
		d.forget(w.id)
		up = w.Upload
	}
	return d.DataStore.(handler.TerminaterDataStore).AsTerminatableUpload(up)
}

func (d *wrapped) forget(id string) {
	d.mu.Lock()
	delete(d.hashes, id)
	d.mu.Unlock()
}

// sum is the running hash of a whole upload of size bytes, if it has one.
func (d *wrapped) sum(id string, size int64) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rh := d.hashes[id]
	if rh == nil || rh.offset != size {
		return "", false
	}
	return hex.EncodeToString(rh.h.Sum(nil)), true
}

func (up wrappedUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	// tusd's lock on the upload keeps its PATCHes one at a time.
	up.s.mu.Lock()
	rh := up.s.hashes[up.id]
	up.s.mu.Unlock()
	if rh != nil && rh.offset == offset {
		src = io.TeeReader(src, rh.h)
	} else {
		rh = nil
	}
	n, err := up.Upload.WriteChunk(ctx, offset, src)
	if rh != nil {
		if err != nil {
			// What was read and what was written may differ.
			up.s.forget(up.id)
		} else {
			up.s.mu.Lock()
			rh.offset += n
			up.s.mu.Unlock()
		}
	}
	return n, full(err)
}

func full(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return tusError(&Error{http.StatusInsufficientStorage, CodeDiskFull, "the server's disk is full: the file was not stored; try again later or ask the server's keeper to free space"})
	}
	return err
}

// CodeDiskFull is the code of a 507 answer when the server's own disk is
// full (not the account's quota).
const CodeDiskFull = "disk_full"

// ParseBytes reads a size as a person writes it for --quota and
// --max-upload: "10GB", "500 MB", "1.5TB", "0" (no limit), or bytes.
// Units are decimal, as the quota's message writes them.
func ParseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || v*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("%q is not a size: write it like 10GB or 500MB (0 for no limit)", s)
	}
	return int64(v * float64(mult)), nil
}
