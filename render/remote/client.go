package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slatestudio/slate/internal/clock"
)

// maxJSON bounds the JSON read from a server: a job object or a listing.
const maxJSON = 4 << 20

// Backoff between tries: doubling from backoffBase up to backoffCap, each
// wait drawn between half and all of it (jitter, so that studios cut off
// together do not come back together), never shorter than the server's
// Retry-After. A server error (500) is tried maxServerErrors times; a busy
// (429) or unreachable server is waited for as long as it takes.
const (
	backoffBase     = 500 * time.Millisecond
	backoffCap      = 30 * time.Second
	maxServerErrors = 6
	// maxPollAfter bounds the server's polling hint.
	maxPollAfter = 30 * time.Second
)

// client sends one backend's requests to its server.
type client struct {
	s     Server
	hc    *http.Client
	clock clock.Clock
	// waiting hears StatusWaiting while the server cannot be reached or
	// is busy, and "" once it answers again.
	waiting func(string)
}

func newClient(s Server, opts Options) *client {
	hc := opts.HTTP
	if hc == nil {
		// No overall timeout (a clip may take long to download), but a
		// server that takes a connection and never answers is given up
		// on, and tried again, rather than waited for for ever.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = time.Minute
		hc = &http.Client{Transport: t}
	}
	return &client{s: s, hc: hc, clock: clock.Or(opts.Clock), waiting: func(string) {}}
}

// body makes a request's body afresh for each try, and its content type.
type body func() (io.Reader, string, error)

// jsonBody is v as a JSON body.
func jsonBody(v any) body {
	return func() (io.Reader, string, error) {
		b, err := json.Marshal(v)
		return bytes.NewReader(b), "application/json", err
	}
}

// once sends one request, without retrying.
func (c *client) once(ctx context.Context, method, path string, b body) (*http.Response, error) {
	var r io.Reader
	ctype := ""
	if b != nil {
		var err error
		if r, ctype, err = b(); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.s.URL, "/")+path, r)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.s.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.s.APIKey)
	}
	req.Header.Set("Accept", "application/json")
	return c.hc.Do(req)
}

// errCut is a request whose answer never came: the connection failed
// after it may have reached the server.
var errCut = errors.New("the connection to the render server was cut")

// do sends a request until the server answers it with something other
// than "busy" or a server error, and returns that answer: 2xx, or an
// *apiError for any other. An unreachable or busy server is waited for
// (c.waiting hears StatusWaiting) until ctx ends. A request that is not
// safe to repeat (a POST) is not sent again after a cut connection: do
// returns errCut, and the caller finds out whether it arrived.
func (c *client) do(ctx context.Context, method, path string, b body, repeatable bool) (*http.Response, error) {
	serverErrors := 0
	for try := 0; ; try++ {
		resp, err := c.once(ctx, method, path, b)
		if ctx.Err() != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, ctx.Err()
		}
		var after time.Duration
		switch {
		case err != nil:
			c.waiting(StatusWaiting)
			if !repeatable {
				return nil, fmt.Errorf("%w: %v", errCut, err)
			}
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusBadGateway ||
			resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
			c.waiting(StatusWaiting)
			after = retryAfter(resp, c.clock.Now())
			drain(resp)
		case resp.StatusCode >= 500:
			e := readAPIError(resp)
			if serverErrors++; serverErrors >= maxServerErrors {
				return nil, e
			}
			c.waiting(StatusWaiting)
		case resp.StatusCode/100 != 2:
			c.waiting("")
			return nil, readAPIError(resp)
		default:
			c.waiting("")
			return resp, nil
		}
		if err := c.clock.Sleep(ctx, max(after, backoff(try))); err != nil {
			return nil, err
		}
	}
}

// backoff is the wait before try+1: doubling, capped, with jitter.
func backoff(try int) time.Duration {
	d := backoffCap
	if try < 16 {
		d = min(backoffCap, backoffBase<<try)
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter is how long the server asked to be left alone: Retry-After
// in seconds or as a date, else nothing.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return min(time.Duration(s*float64(time.Second)), time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), time.Hour)
	}
	return 0
}

// pollAfter is the server's hint for the next poll (openai-poll-after-ms,
// or Retry-After), else def.
func pollAfter(resp *http.Response, now time.Time, def time.Duration) time.Duration {
	if ms, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("openai-poll-after-ms"))); err == nil && ms > 0 {
		return min(time.Duration(ms)*time.Millisecond, maxPollAfter)
	}
	if d := retryAfter(resp, now); d > 0 {
		return min(d, maxPollAfter)
	}
	return def
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxJSON))
	resp.Body.Close()
}

// apiError is a server's answer in the OpenAI error shape.
type apiError struct {
	Status  int
	Code    string
	Param   string
	Message string
}

func (e *apiError) Error() string {
	msg := fmt.Sprintf("the render server answered %d", e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

func readAPIError(resp *http.Response) *apiError {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &apiError{Status: resp.StatusCode}
	var body struct {
		Error struct {
			Message string          `json:"message"`
			Param   string          `json:"param"`
			Code    json.RawMessage `json:"code"`
		} `json:"error"`
		Detail string `json:"detail"` // FastAPI's own errors
	}
	if json.Unmarshal(b, &body) == nil && (body.Error.Message != "" || body.Detail != "") {
		e.Message, e.Param = body.Error.Message, body.Error.Param
		if e.Message == "" {
			e.Message = body.Detail
		}
		var code string
		if json.Unmarshal(body.Error.Code, &code) == nil {
			e.Code = code
		}
	} else {
		e.Message = strings.TrimSpace(string(b))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "…"
		}
	}
	return e
}

// apiMessage is the message of an error answer, for Probe.
func apiMessage(resp *http.Response) string { return readAPIError(resp).Message }

// decode reads a JSON answer into v and closes it.
func decode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSON)).Decode(v); err != nil {
		return fmt.Errorf("read the render server's answer: %w", err)
	}
	return nil
}
