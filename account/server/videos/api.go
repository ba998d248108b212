package videos

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/mediacheck"
	"github.com/slatestudio/slate/internal/filehash"
)

// Handler is an endpoint for a logged-in account (its ID).
type Handler func(w http.ResponseWriter, r *http.Request, caller string) error

// Routes hands each endpoint to handle, which adds authentication and
// registers it; every error a handler returns is an *Error.
func (s *Service) Routes(handle func(pattern string, h Handler)) {
	p := account.VideosPrefix
	for _, rt := range []struct {
		pattern string
		h       Handler
	}{
		{"POST " + p, s.create},
		{"GET " + p, s.list},
		{"GET " + p + "/models", s.listModels},
		{"GET " + p + "/{id}", s.get},
		{"DELETE " + p + "/{id}", s.delete},
		{"GET " + p + "/{id}/content", s.content},
		{"POST " + p + "/{id}/remix", s.remix},
	} {
		h := rt.h
		handle(rt.pattern, func(w http.ResponseWriter, r *http.Request, caller string) error {
			return s.asError(r, h(w, r, caller))
		})
	}
}

// Error is a failed request's answer, in the OpenAI shape.
type Error struct {
	Status                     int
	Type, Code, Param, Message string
}

// Error says the status and the message.
func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Errorf makes an *Error; its type follows from the status.
func Errorf(status int, code, param, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Param: param, Message: fmt.Sprintf(format, args...), Type: errorType(status)}
}

func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusForbidden:
		return "permission_error"
	case status == http.StatusNotFound:
		return "not_found_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// Write sends the error.
func (e *Error) Write(w http.ResponseWriter) {
	body := account.APIError{Error: account.APIErrorBody{Message: e.Message, Type: e.Type}}
	if e.Param != "" {
		body.Error.Param = &e.Param
	}
	if e.Code != "" {
		body.Error.Code = &e.Code
	}
	writeJSON(w, e.Status, body)
}

// fieldRe finds the field a decoding error names.
var fieldRe = regexp.MustCompile(`^(?:unknown )?field "([^"]+)"`)

// asError turns any error into the *Error the client gets: a request's
// fault with the field it names, or an internal error whose details stay
// in the log.
func (s *Service) asError(r *http.Request, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	var fe *account.FieldError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &tooBig) || errors.Is(err, account.ErrTooLarge):
		return Errorf(http.StatusRequestEntityTooLarge, "request_too_large", "", "the request is larger than this server takes (%d bytes); send a smaller input_reference", s.bodyLimit())
	case errors.As(err, &fe):
		return Errorf(http.StatusBadRequest, "invalid_value", fe.Field, "%v", err)
	case r.Context().Err() != nil:
		return Errorf(499, "client_closed", "", "the client went away")
	}
	s.cfg.Log.Error("videos", "method", r.Method, "path", r.URL.Path, "error", err)
	return Errorf(http.StatusInternalServerError, "internal_error", "", "internal error; the server's log has the details")
}

// badRequest is a 400 naming the field: a decoding error's message says
// which.
func badRequest(err error) *Error {
	param := ""
	if m := fieldRe.FindStringSubmatch(err.Error()); m != nil {
		param = m[1]
	}
	return Errorf(http.StatusBadRequest, "invalid_request", param, "%v", err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// pollAfter is how soon a client should ask again about a job that is not
// done.
const pollAfter = 250 * time.Millisecond

// writeVideo answers with a job, and a polling hint while it runs.
func writeVideo(w http.ResponseWriter, v account.Video) {
	if !v.Done() {
		w.Header().Set("openai-poll-after-ms", strconv.Itoa(int(pollAfter/time.Millisecond)))
	}
	writeJSON(w, http.StatusOK, v)
}

// bodyLimit bounds a request's body: the input image (base64 in JSON
// grows it by a third) and a megabyte for the rest.
func (s *Service) bodyLimit() int64 { return s.cfg.InputLimit*4/3 + 4 + 1<<20 }

// view is a row as the API shows it.
func (s *Service) view(v row) account.Video {
	out := account.Video{
		ID: v.id, Object: "video", Model: v.spec.Model, Status: v.status, Progress: v.progress,
		CreatedAt: v.created / 1000, Prompt: v.spec.Prompt, Size: fmt.Sprintf("%dx%d", v.spec.Width, v.spec.Height),
		Seconds: string(account.FormatSeconds(v.spec.Seconds)), Width: v.spec.Width, Height: v.spec.Height, FPS: v.spec.FPS,
		NumFrames: v.spec.Frames, Seed: v.spec.Seed, NegativePrompt: v.spec.NegativePrompt,
	}
	if v.status == account.VideoQueued {
		s.mu.Lock()
		if r, ok := s.running[v.id]; ok {
			out.Status, out.Progress = account.VideoInProgress, r.progress
		}
		s.mu.Unlock()
	}
	if v.completed.Valid {
		t := v.completed.Int64 / 1000
		out.CompletedAt = &t
	}
	if v.expires.Valid {
		t := v.expires.Int64 / 1000
		out.ExpiresAt = &t
	}
	if v.remixedFrom.Valid {
		out.RemixedFromVideoID = &v.remixedFrom.String
	}
	if v.errorCode.Valid {
		out.Error = &account.VideoError{Code: v.errorCode.String, Message: v.errorMessage.String}
	}
	if v.spec.Slate != nil {
		out.SlateBackend, out.SlateKey = v.spec.Slate.Backend, v.spec.Slate.Key
	}
	return out
}

// own loads the caller's video; another account's is not found, as one
// that does not exist.
func (s *Service) own(ctx context.Context, q queryer, id, caller string) (row, error) {
	v, err := load(ctx, q, id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && v.account != caller {
		return v, Errorf(http.StatusNotFound, "video_not_found", "video_id", "no video %q: it does not exist, was deleted, or is another account's", id)
	}
	return v, err
}

func (s *Service) get(w http.ResponseWriter, r *http.Request, caller string) error {
	v, err := s.own(r.Context(), s.cfg.Read, r.PathValue("id"), caller)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, v)
}

func (s *Service) listModels(w http.ResponseWriter, r *http.Request, caller string) error {
	ms := make([]account.VideoModel, len(s.models))
	for i, m := range s.models {
		m.Object = "model"
		ms[i] = m
	}
	writeJSON(w, http.StatusOK, account.VideoModelList{Object: "list", Data: ms})
	return nil
}

// list pages through the caller's jobs: after a job's ID, oldest first
// (asc) or newest first (desc, the default).
func (s *Service) list(w http.ResponseWriter, r *http.Request, caller string) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Errorf(http.StatusBadRequest, "invalid_request", "", "the query string is malformed: %v", err)
	}
	for name, vs := range q {
		switch {
		case name != "after" && name != "limit" && name != "order":
			return Errorf(http.StatusBadRequest, "invalid_request", name, "unknown parameter %q: this endpoint takes after, limit and order", name)
		case len(vs) > 1:
			return Errorf(http.StatusBadRequest, "invalid_request", name, "parameter %q appears %d times; send it once", name, len(vs))
		}
	}
	limit := 20
	if l := q.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 100 {
			return Errorf(http.StatusBadRequest, "invalid_value", "limit", "limit %q: give a whole number from 1 to 100", l)
		}
	}
	order := q.Get("order")
	switch order {
	case "":
		order = "desc"
	case "asc", "desc":
	default:
		return Errorf(http.StatusBadRequest, "invalid_value", "order", "order %q: give asc (oldest first) or desc (newest first)", order)
	}
	cmp, bound := "<", int64(1<<62)
	if order == "asc" {
		cmp, bound = ">", 0
	}
	if after := q.Get("after"); after != "" {
		v, err := s.own(r.Context(), s.cfg.Read, after, caller)
		if err != nil {
			return Errorf(http.StatusBadRequest, "invalid_value", "after", "after %q: no video of yours has that ID", after)
		}
		bound = v.seq
	}
	rows, err := s.cfg.Read.QueryContext(r.Context(), `SELECT `+rowColumns+` FROM videos WHERE account_id = ? AND seq `+cmp+` ?
		ORDER BY seq `+order+` LIMIT ?`, caller, bound, limit+1)
	if err != nil {
		return fmt.Errorf("list videos: %w", err)
	}
	defer rows.Close()
	out := account.VideoList{Object: "list", Data: []account.Video{}}
	var rs []row
	for rows.Next() {
		if len(out.Data) == limit {
			out.HasMore = true
			break
		}
		v, err := scanRow(rows)
		if err != nil {
			return fmt.Errorf("list videos: %w", err)
		}
		out.Data = append(out.Data, s.view(v))
		rs = append(rs, v)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list videos: %w", err)
	}
	rows.Close()
	if err := s.fillQueueAhead(r.Context(), rs, out.Data); err != nil {
		return err
	}
	if n := len(out.Data); n > 0 {
		out.FirstID, out.LastID = &out.Data[0].ID, &out.Data[n-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// delete removes a job: a queued or running one is cancelled through
// River in the same transaction, and a render in progress here stops.
func (s *Service) delete(w http.ResponseWriter, r *http.Request, caller string) error {
	id := r.PathValue("id")
	err := s.cfg.Write(r.Context(), func(ctx context.Context, tx Tx) error {
		v, err := s.own(ctx, tx, id, caller)
		if err != nil {
			return err
		}
		if v.status == account.VideoQueued {
			// A job whose River job is not recorded yet (job_id 0) is
			// simply gone: its worker finds no row and does nothing.
			if _, err := s.river.JobCancelTx(ctx, tx.Tx, v.jobID); err != nil && !errors.Is(err, river.ErrNotFound) {
				return fmt.Errorf("cancel video %s: %w", id, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM videos WHERE id = ?`, id); err != nil {
			return err
		}
		tx.AfterCommit(func() {
			s.mu.Lock()
			if run, ok := s.running[id]; ok {
				run.cancel(errDeleted)
			}
			s.mu.Unlock()
			s.removeUnreferenced(context.WithoutCancel(ctx), v.video.String, v.input.String, v.thumbnail.String, v.spritesheet.String)
		})
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, account.VideoDeleted{ID: id, Object: "video.deleted", Deleted: true})
	return nil
}

// content serves a completed job's clip, or its thumbnail or sprite
// sheet, with ranges and an ETag (the file's sha256). A renderer that
// makes no previews leaves those variants not found.
func (s *Service) content(w http.ResponseWriter, r *http.Request, caller string) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Errorf(http.StatusBadRequest, "invalid_request", "", "the query string is malformed: %v", err)
	}
	for name := range q {
		if name != "variant" {
			return Errorf(http.StatusBadRequest, "invalid_request", name, "unknown parameter %q: this endpoint takes variant", name)
		}
	}
	v, err := s.own(r.Context(), s.cfg.Read, r.PathValue("id"), caller)
	if err != nil {
		return err
	}
	variant := q.Get("variant")
	switch variant {
	case "", account.VariantVideo, account.VariantThumbnail, account.VariantSpritesheet:
	default:
		return Errorf(http.StatusBadRequest, "invalid_value", "variant", "variant %q: give video, thumbnail or spritesheet", variant)
	}
	now := s.cfg.Clock.Now().UnixMilli()
	switch {
	case v.status == account.VideoFailed:
		return Errorf(http.StatusNotFound, "video_failed", "video_id", "video %s failed (%s), so it has no clip: %s", v.id, v.errorCode.String, v.errorMessage.String)
	case v.status != account.VideoCompleted:
		return Errorf(http.StatusNotFound, "video_not_ready", "video_id", "video %s is %s: it has no clip; poll GET %s/%s until it is completed", v.id, v.status, account.VideosPrefix, v.id)
	case !v.video.Valid || v.expires.Valid && v.expires.Int64 <= now:
		return Errorf(http.StatusNotFound, "video_expired", "video_id", "video %s expired at %s and its clip was removed; render it again", v.id,
			time.UnixMilli(v.expires.Int64).UTC().Format(time.RFC3339))
	}
	sum, ctype := v.video, "video/mp4"
	switch variant {
	case account.VariantThumbnail:
		sum, ctype = v.thumbnail, "image/jpeg"
	case account.VariantSpritesheet:
		sum, ctype = v.spritesheet, "image/jpeg"
	}
	if !sum.Valid && variant != "" && variant != account.VariantVideo {
		s.mu.Lock()
		making := s.previewing[v.id]
		s.mu.Unlock()
		if making {
			w.Header().Set("Retry-After", "1")
			return Errorf(http.StatusNotFound, "variant_not_ready", "variant", "the %s of video %s is being made; ask again in a moment", variant, v.id)
		}
	}
	if !sum.Valid {
		return Errorf(http.StatusNotFound, "variant_not_available", "variant", "video %s has no %s: its renderer made none; ask for variant=video", v.id, variant)
	}
	f, err := os.Open(s.blobPath(sum.String))
	if err != nil {
		return fmt.Errorf("open the %s of %s: %w", cmp.Or(variant, "clip"), v.id, err)
	}
	defer f.Close()
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("ETag", `"`+sum.String+`"`)
	w.Header().Set("Cache-Control", "private")
	http.ServeContent(w, r, "", time.UnixMilli(v.completed.Int64), f)
	return nil
}

// create submits a job, from JSON or multipart/form-data.
func (s *Service) create(w http.ResponseWriter, r *http.Request, caller string) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit())
	req, input, err := s.readRequest(r)
	if input != "" {
		defer os.Remove(input)
	}
	if err != nil {
		return err
	}
	sp, err := s.resolve(req)
	if err != nil {
		return err
	}
	var inputSum string
	if input != "" {
		if inputSum, err = s.checkImage(input); err != nil {
			return err
		}
	}
	v, err := s.submit(r.Context(), caller, sp, input, inputSum, "")
	if err != nil {
		return err
	}
	return s.writeOne(w, r, v)
}

// resolve checks a request against the models.
func (s *Service) resolve(req *account.VideoRequest) (spec, error) {
	vs, err := req.Resolve(s.models)
	if errors.Is(err, account.ErrUnknownModel) {
		return spec{}, Errorf(http.StatusNotFound, "model_not_found", "model", "%v", err)
	}
	if err != nil {
		return spec{}, err
	}
	return spec{Model: vs.Model, Prompt: req.Prompt, NegativePrompt: req.NegativePrompt, Width: vs.Width, Height: vs.Height,
		FPS: vs.FPS, Frames: vs.Frames, Seconds: vs.Seconds, Seed: req.Seed, Slate: req.Slate}, nil
}

// submit writes the job and River's job in one transaction, after
// checking consent in it; input, when not "", is the received image,
// stored under inputSum.
func (s *Service) submit(ctx context.Context, caller string, sp spec, input, inputSum, remixOf string) (row, error) {
	id := "video_" + newID()
	data, err := json.Marshal(sp)
	if err != nil {
		return row{}, err
	}
	var v row
	err = s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
		now := s.cfg.Clock.Now()
		if _, err := s.permit(ctx, tx.Tx, caller, sp.Slate, now); err != nil {
			var ce *consentError
			if errors.As(err, &ce) {
				return Errorf(http.StatusForbidden, account.VideoConsentRequired, "slate.grants", "%s", ce.msg)
			}
			return err
		}
		if remixOf != "" {
			// The source must still be there: a deletion ahead of this
			// write may have taken its input image.
			if _, err := s.own(ctx, tx, remixOf, caller); err != nil {
				return err
			}
		}
		if input != "" {
			if err := s.cfg.Blobs.Adopt(input, inputSum); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO videos (id, account_id, job_id, status, created_at, spec, remixed_from, input_sha256)
			VALUES (?, ?, 0, 'queued', ?, ?, ?, ?)`, id, caller, now.UnixMilli(), string(data), nullIf(remixOf), nullIf(inputSum))
		if err != nil {
			return err
		}
		v, err = load(ctx, tx, id)
		return err
	})
	if err != nil {
		return v, err
	}
	return v, s.enqueue(ctx, id)
}

// enqueue puts a job's River job on the queue and records its ID. The
// videos row, durable before, is the job: River's is inserted after it,
// outside the transaction, because only an insert of River's own wakes an
// idle worker at once (see driver). A crash in between leaves a row with
// no River job, which Open enqueues; an enqueue run twice finds the first
// River job (unique by its arguments).
func (s *Service) enqueue(ctx context.Context, id string) error {
	res, err := s.river.Insert(ctx, renderArgs{Video: id}, &river.InsertOpts{Queue: queue, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if err != nil {
		return fmt.Errorf("queue video %s: %w", id, err)
	}
	return s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE videos SET job_id = ? WHERE id = ?`, res.Job.ID, id)
		return err
	})
}

func nullIf(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// remix submits a new job like a completed one, with another prompt.
func (s *Service) remix(w http.ResponseWriter, r *http.Request, caller string) error {
	r.Body = http.MaxBytesReader(w, r.Body, account.MaxJSONBytes+account.MaxVideoPromptRunes*4)
	var req account.VideoRemix
	if err := account.Decode(r.Body, &req); err != nil {
		var fe *account.FieldError
		if errors.As(err, &fe) || errors.Is(err, account.ErrTooLarge) {
			return err
		}
		return badRequest(err)
	}
	src, err := s.own(r.Context(), s.cfg.Read, r.PathValue("id"), caller)
	if err != nil {
		return err
	}
	if src.status != account.VideoCompleted {
		return Errorf(http.StatusBadRequest, "video_not_completed", "video_id", "video %s is %s; only a completed video can be remixed", src.id, src.status)
	}
	sp := src.spec
	sp.Prompt = req.Prompt
	v, err := s.submit(r.Context(), caller, sp, "", src.input.String, src.id)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, v)
}

// The parts and fields of a multipart request.
var textFields = []string{"prompt", "model", "seconds", "size", "width", "height", "fps", "num_frames", "seed", "negative_prompt", "slate"}

// readRequest reads POST /v1/videos as JSON or multipart/form-data. A
// multipart input_reference is received into a temporary file, whose path
// it returns (to remove) even with an error.
func (s *Service) readRequest(r *http.Request) (*account.VideoRequest, string, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, "", Errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "", "the Content-Type is malformed: %v", err)
	}
	switch ct {
	case "application/json", "":
		var req account.VideoRequest
		if err := account.Decode(r.Body, &req); err != nil {
			var fe *account.FieldError
			if errors.As(err, &fe) || errors.Is(err, account.ErrTooLarge) {
				return nil, "", err
			}
			return nil, "", badRequest(err)
		}
		if req.InputReference == nil {
			return &req, "", nil
		}
		path, err := s.decodeDataURL(req.InputReference.ImageURL)
		return &req, path, err
	case "multipart/form-data":
		return s.readMultipart(multipart.NewReader(r.Body, params["boundary"]))
	}
	return nil, "", Errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "", "send the request as application/json or multipart/form-data, not %s", ct)
}

// readMultipart reads the form's parts: each text field once, the image
// as a file part.
func (s *Service) readMultipart(mr *multipart.Reader) (*account.VideoRequest, string, error) {
	fields := map[string]string{}
	input := ""
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, input, err
			}
			return nil, input, Errorf(http.StatusBadRequest, "invalid_request", "", "the multipart body is malformed: %v", err)
		}
		name := p.FormName()
		switch {
		case name == "input_reference":
			if input != "" {
				return nil, input, Errorf(http.StatusBadRequest, "invalid_request", name, "input_reference appears twice; send one image")
			}
			if p.FileName() == "" {
				return nil, input, Errorf(http.StatusBadRequest, "invalid_value", name, "send input_reference as a file part (an image)")
			}
			if input, err = s.receive(p); err != nil {
				return nil, input, err
			}
		case containsString(textFields, name):
			if _, dup := fields[name]; dup {
				return nil, input, Errorf(http.StatusBadRequest, "invalid_request", name, "field %q appears twice; send it once", name)
			}
			b, err := io.ReadAll(io.LimitReader(p, account.MaxJSONBytes*8+1))
			if err != nil {
				return nil, input, err
			}
			if len(b) > account.MaxJSONBytes*8 {
				return nil, input, Errorf(http.StatusRequestEntityTooLarge, "request_too_large", name, "field %q is longer than %d bytes", name, account.MaxJSONBytes*8)
			}
			if !utf8.Valid(b) {
				return nil, input, Errorf(http.StatusBadRequest, "invalid_value", name, "field %q is not valid UTF-8", name)
			}
			fields[name] = string(b)
		default:
			return nil, input, Errorf(http.StatusBadRequest, "invalid_request", name, "unknown field %q: this endpoint takes %s and input_reference", name, strings.Join(textFields, ", "))
		}
	}
	var req account.VideoRequest
	req.Prompt, req.Model, req.Size, req.NegativePrompt = fields["prompt"], fields["model"], fields["size"], fields["negative_prompt"]
	req.Seconds = account.Seconds(fields["seconds"])
	for _, f := range []struct {
		name string
		dst  *int
	}{{"width", &req.Width}, {"height", &req.Height}, {"fps", &req.FPS}, {"num_frames", &req.NumFrames}} {
		if v, ok := fields[f.name]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return nil, input, Errorf(http.StatusBadRequest, "invalid_value", f.name, "field %q: %q is not a whole number", f.name, v)
			}
			*f.dst = n
		}
	}
	if v, ok := fields["seed"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, input, Errorf(http.StatusBadRequest, "invalid_value", "seed", "field \"seed\": %q is not a whole number", v)
		}
		req.Seed = &n
	}
	if v, ok := fields["slate"]; ok {
		req.Slate = new(account.SlateRequest)
		if err := account.Decode(strings.NewReader(v), req.Slate); err != nil {
			var fe *account.FieldError
			if errors.As(err, &fe) {
				return nil, input, err
			}
			return nil, input, Errorf(http.StatusBadRequest, "invalid_value", "slate", "field \"slate\": %v", err)
		}
	}
	if err := req.Validate(); err != nil {
		return nil, input, err
	}
	if input != "" {
		req.InputReference = &account.ImageReference{}
	}
	return &req, input, nil
}

// receive copies an uploaded image into a temporary file, within the
// limit.
func (s *Service) receive(r io.Reader) (string, error) {
	f, err := os.CreateTemp(s.tmp, "input-*")
	if err != nil {
		return "", err
	}
	n, err := io.Copy(f, io.LimitReader(r, s.cfg.InputLimit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.cfg.InputLimit {
		err = Errorf(http.StatusRequestEntityTooLarge, "request_too_large", "input_reference", "input_reference is larger than %d bytes; send a smaller image", s.cfg.InputLimit)
	}
	return f.Name(), err
}

// decodeDataURL writes a data URL's image to a temporary file.
func (s *Service) decodeDataURL(u string) (string, error) {
	meta, data, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return "", Errorf(http.StatusBadRequest, "invalid_value", "input_reference.image_url", "not a base64 data URL: write data:image/png;base64,… or data:image/jpeg;base64,…")
	}
	if int64(base64.StdEncoding.DecodedLen(len(data))) > s.cfg.InputLimit+2 {
		return "", Errorf(http.StatusRequestEntityTooLarge, "request_too_large", "input_reference", "input_reference is larger than %d bytes; send a smaller image", s.cfg.InputLimit)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return "", Errorf(http.StatusBadRequest, "invalid_value", "input_reference.image_url", "the data URL's base64 is malformed: %v", err)
	}
	f, err := os.CreateTemp(s.tmp, "input-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// checkImage checks a received input image is a JPEG or PNG, and returns
// its sha256.
func (s *Service) checkImage(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if _, err := mediacheck.Check(account.MediaFrontal, f, fi.Size()); err != nil {
		return "", Errorf(http.StatusBadRequest, "invalid_value", "input_reference", "input_reference must be a JPEG or PNG image: %v", err)
	}
	return filehash.SHA256(path)
}
