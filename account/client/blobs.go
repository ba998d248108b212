package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/slatestudio/slate/account"
)

// HasBlob says whether the account holds the blob with the given sum on
// the server.
func (c *Client) HasBlob(ctx context.Context, sum string) (bool, error) {
	const op = "look for a file on the server"
	req, err := c.newRequest(ctx, op, http.MethodHead, "/blobs/"+sum, true, nil)
	if err != nil {
		return false, err
	}
	err = c.do(req, op, nil)
	if StatusOf(err) == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// ForgetBlob drops the account's hold on a blob; the server removes the
// bytes once nothing names them. A blob the account does not hold is no
// error.
func (c *Client) ForgetBlob(ctx context.Context, sum string) error {
	err := c.call(ctx, "remove a file from the server", http.MethodDelete, "/blobs/"+sum, true, nil, nil)
	if StatusOf(err) == http.StatusNotFound {
		return nil
	}
	return err
}

// Storage is what the account uses on the server, largest first.
func (c *Client) Storage(ctx context.Context) (account.Storage, error) {
	var st account.Storage
	err := c.call(ctx, "list the account's storage", http.MethodGet, "/storage", true, nil, &st)
	return st, err
}

// Download fetches the blob with the given sum into the file partial,
// appending to what it already holds (a Range request with If-Range on
// the blob's ETag, so that it resumes), and checks the whole file's sha256
// when complete: a mismatch removes partial and returns an error that
// errors.Is ErrDamaged. progress(done, total) is called as bytes arrive
// (may be nil). The caller moves partial into place.
func (c *Client) Download(ctx context.Context, sum, partial string, progress func(done, total int64)) error {
	const op = "download a file from the server"
	f, err := os.OpenFile(partial, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req, err := c.newRequest(ctx, op, http.MethodGet, "/blobs/"+sum, true, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/octet-stream")
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		req.Header.Set("If-Range", `"`+sum+`"`)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	var total int64
	switch resp.StatusCode {
	case http.StatusOK: // the whole file: what was there is not of it
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		have, total = 0, resp.ContentLength
	case http.StatusPartialContent:
		total = have + resp.ContentLength
	case http.StatusRequestedRangeNotSatisfiable:
		// partial is already whole (or longer than the blob): check it.
		total = have
	default:
		e := c.errorFrom(op, resp)
		if e.Status == http.StatusUnauthorized {
			e.ended = true
			c.forget()
		}
		return e
	}
	// The bytes already there are hashed first, then the rest as it
	// arrives: the file is read once.
	h := sha256.New()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := io.CopyN(h, f, have); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		if err := copyHashing(f, h, resp.Body, have, total, progress); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		f.Close()
		if err := os.Remove(partial); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: %w", op, err)
		}
		return fmt.Errorf("%s: its sha256 does not match; it was thrown away, fetch it again: %w", op, ErrDamaged)
	}
	return nil
}

// copyHashing copies src to dst and into h. The hash runs on a goroutine
// of its own, a few buffers behind the writes, so that hashing and writing
// overlap and a download goes as fast as a plain one; the buffers are the
// only memory it takes (copyBuffers × copyBuffer).
func copyHashing(dst io.Writer, h hash.Hash, src io.Reader, done, total int64, progress func(done, total int64)) error {
	free := make(chan []byte, copyBuffers)
	for range copyBuffers {
		free <- make([]byte, copyBuffer)
	}
	full := make(chan []byte, copyBuffers)
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		for b := range full {
			h.Write(b)
			free <- b[:cap(b)]
		}
	}()
	var err error
	for err == nil {
		b := <-free
		var n int
		n, err = io.ReadFull(src, b)
		if n > 0 {
			if _, werr := dst.Write(b[:n]); werr != nil {
				err = werr
			}
			full <- b[:n]
			done += int64(n)
			if progress != nil {
				progress(done, total)
			}
		}
	}
	close(full)
	<-hashed
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if total >= 0 && done != total {
			return fmt.Errorf("the server sent %d of %d bytes; try again to resume", done, total)
		}
		return nil
	}
	return err
}

// The buffers of copyHashing.
const (
	copyBuffer  = 1 << 20
	copyBuffers = 16
)
