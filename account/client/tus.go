package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/slatestudio/slate/account"
)

// ErrDamaged is wrapped by the error of an upload the server refused
// because its bytes did not hash to the sha256 sent with it, and of a
// download whose bytes did not: nothing was kept; send or fetch it again.
var ErrDamaged = errors.New("the file arrived damaged")

// UploadState is where a tus upload stands: its URL on the server (empty
// before it is created) and the bytes the server had at the last chunk.
// A caller persists it (the library's transfers) so that an upload
// resumes after a restart.
type UploadState struct {
	URL    string
	Offset int64
}

// DefaultChunk is the bytes one PATCH carries: big enough that a
// request's overhead is lost in it, small enough that a cut connection
// costs little to resend.
const DefaultChunk = 8 << 20

// tusVersion is the protocol version the client speaks.
const tusVersion = "1.0.0"

// maxStalls is how many requests in a row may fail without the server
// getting a byte more before Upload gives up and returns the error.
const maxStalls = 5

// Upload sends the file at path with tus in chunks of the client's chunk
// size (Options.Chunk; DefaultChunk), resuming st.URL when set (a HEAD
// for the offset; an upload the server no longer has starts again). save
// is called with the state after creation and after every chunk, so that
// a caller can persist it; progress(done, total) after every chunk (either
// may be nil). It first asks whether the account holds the blob already
// and returns at once if so. A connection cut mid-chunk is resumed from
// the server's offset. The server's refusal of the bytes as damaged is an
// error that errors.Is ErrDamaged.
func (c *Client) Upload(ctx context.Context, path, sum, kind, project string, st UploadState,
	save func(UploadState) error, progress func(done, total int64)) error {
	const op = "upload a file to the server"
	if has, err := c.HasBlob(ctx, sum); err != nil {
		return err
	} else if has {
		if fi, err := os.Stat(path); err == nil && progress != nil {
			progress(fi.Size(), fi.Size())
		}
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	size := fi.Size()
	if save == nil {
		save = func(UploadState) error { return nil }
	}
	chunk := int64(c.chunk)
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	stalls := 0
	mark := st.Offset // the offset at the last reset of stalls
	// stalled counts a failed request; it says whether to give up.
	stalled := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var e *Error
		if errors.As(err, &e) && e.Status < 500 && e.Status != http.StatusRequestTimeout && e.Status != http.StatusConflict && e.Status != 423 {
			return err // the server refused: trying again will not help
		}
		if errors.As(err, &e) && e.Status == http.StatusInsufficientStorage {
			return err
		}
		if stalls++; stalls >= maxStalls {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(stalls*stalls) * 100 * time.Millisecond):
		}
		return nil
	}
	known := st.URL != "" // the offset must be asked for
	for {
		if st.URL == "" {
			loc, err := c.tusCreate(ctx, sum, kind, project, size)
			if err != nil {
				if err := stalled(err); err != nil {
					return err
				}
				continue
			}
			st = UploadState{URL: loc}
			if err := save(st); err != nil {
				return fmt.Errorf("%s: save its state: %w", op, err)
			}
			known = true
			if size > 0 {
				continue
			}
		}
		if known && st.Offset >= 0 {
			off, err := c.tusOffset(ctx, st.URL)
			var e *Error
			if errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Status == http.StatusGone || e.Status == http.StatusForbidden) {
				// The server no longer has it (finished, expired, or
				// another server): start again.
				if has, herr := c.HasBlob(ctx, sum); herr == nil && has {
					return nil
				}
				st, known = UploadState{}, false
				continue
			}
			if err != nil {
				if err := stalled(err); err != nil {
					return err
				}
				continue
			}
			if off > mark {
				// The server got bytes since the last failure: the
				// network moves, however badly.
				stalls, mark = 0, off
			}
			st.Offset, known = off, false
		}
		if st.Offset >= size && size > 0 {
			// Every byte arrived but the answer to the last PATCH was
			// lost: the server decided on it already.
			has, err := c.HasBlob(ctx, sum)
			if err != nil {
				return err
			}
			if has {
				return nil
			}
			return fmt.Errorf("%s: the server took every byte but kept no file: %w", op, ErrDamaged)
		}
		n := min(chunk, size-st.Offset)
		off, err := c.tusPatch(ctx, st.URL, st.Offset, io.NewSectionReader(f, st.Offset, n))
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Code == account.CodeDamaged {
				return fmt.Errorf("%s: %w: %w", op, ErrDamaged, err)
			}
			if err := stalled(err); err != nil {
				return err
			}
			known = true // ask the server how far it got
			continue
		}
		stalls, mark = 0, off
		st.Offset = off
		if err := save(st); err != nil {
			return fmt.Errorf("%s: save its state: %w", op, err)
		}
		if progress != nil {
			progress(off, size)
		}
		if off >= size {
			return nil
		}
	}
}

// tusURL is the address of the tus endpoint, or of an upload under it.
func (c *Client) tusURL(loc string) (string, error) {
	base, err := url.Parse(c.base.String() + account.TusPath)
	if err != nil {
		return "", err
	}
	u, err := base.Parse(loc)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func (c *Client) tusRequest(ctx context.Context, op, method, loc string, body io.Reader) (*http.Request, error) {
	u, err := c.tusURL(loc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	c.mu.Lock()
	cr := c.creds
	c.mu.Unlock()
	if cr == nil {
		return nil, fmt.Errorf("%s: %w", op, ErrNotLoggedIn)
	}
	req.Header.Set("Authorization", "Bearer "+cr.Token)
	req.Header.Set("Tus-Resumable", tusVersion)
	return req, nil
}

// tusSend sends a tus request and returns its answer, or the server's
// error (JSON from the server's middleware and hooks, text from tusd).
func (c *Client) tusSend(req *http.Request, op string) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		e := c.errorFrom(op, resp)
		if e.Status == http.StatusUnauthorized {
			e.ended = true
			c.forget()
		}
		return nil, e
	}
	return resp, nil
}

func (c *Client) tusCreate(ctx context.Context, sum, kind, project string, size int64) (string, error) {
	const op = "start an upload"
	req, err := c.tusRequest(ctx, op, http.MethodPost, "", nil)
	if err != nil {
		return "", err
	}
	meta := []string{account.TusSHA256 + " " + b64(sum), account.TusKind + " " + b64(kind)}
	if project != "" {
		meta = append(meta, account.TusProject+" "+b64(project))
	}
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", strings.Join(meta, ","))
	resp, err := c.tusSend(req, op)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("%s: the server gave no upload address", op)
	}
	return c.tusURL(loc)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func (c *Client) tusOffset(ctx context.Context, loc string) (int64, error) {
	const op = "resume an upload"
	req, err := c.tusRequest(ctx, op, http.MethodHead, loc, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.tusSend(req, op)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return offsetOf(op, resp)
}

func offsetOf(op string, resp *http.Response) (int64, error) {
	off, err := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || off < 0 {
		return 0, fmt.Errorf("%s: the server's answer has no Upload-Offset", op)
	}
	return off, nil
}

// tusPatch sends body at offset and returns the server's new offset.
func (c *Client) tusPatch(ctx context.Context, loc string, offset int64, body *io.SectionReader) (int64, error) {
	const op = "upload a file to the server"
	req, err := c.tusRequest(ctx, op, http.MethodPatch, loc, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = body.Size()
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	resp, err := c.tusSend(req, op)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return offsetOf(op, resp)
}
