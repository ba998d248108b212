package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slatestudio/slate/account"
)

// ConflictError is PutProject's error when the project changed on the
// server since the revision the new one was made from: Current is the
// server's latest revision, with its document, to merge with and send
// again. errors.As finds it; it wraps the server's *Error.
type ConflictError struct {
	Current account.ProjectRevision
	Err     *Error
}

// Error says what the server said.
func (e *ConflictError) Error() string { return e.Err.Error() }

// Unwrap gives the server's *Error.
func (e *ConflictError) Unwrap() error { return e.Err }

func projectPath(id string) string { return "/projects/" + url.PathEscape(id) }

// Projects lists the latest revision of each of the account's projects,
// deleted ones too, without their documents.
func (c *Client) Projects(ctx context.Context) ([]account.ProjectRevision, error) {
	var out account.Projects
	err := c.call(ctx, "list projects", http.MethodGet, "/projects", true, nil, &out)
	return out.Projects, err
}

// Project returns a project's latest revision with its document.
func (c *Client) Project(ctx context.Context, id string) (account.ProjectRevision, error) {
	var out account.ProjectRevision
	err := c.call(ctx, "read project", http.MethodGet, projectPath(id), true, nil, &out)
	return out, err
}

// PutProject sends a new revision of a project, made from p.BaseRev (0
// for a project new to the server), and returns it as the server took it.
// If the project changed on the server meanwhile, nothing is taken and the
// error is a *ConflictError carrying the server's latest revision.
// Restoring an old revision is putting its document as a new one.
func (c *Client) PutProject(ctx context.Context, id string, p account.PutProject) (account.ProjectRevision, error) {
	const op = "send project"
	var out account.ProjectRevision
	b, err := json.Marshal(p)
	if err != nil {
		return out, fmt.Errorf("%s: %w", op, err)
	}
	req, err := c.newRequest(ctx, op, http.MethodPut, projectPath(id), true, bytes.NewReader(b))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return out, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		// Everything but a conflict is read as every other call's answer.
		return out, c.finish(req, resp, op, &out)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return out, fmt.Errorf("%s: %w", op, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	e := c.errorFrom(op, resp)
	var body account.ProjectConflict
	if json.Unmarshal(data, &body) != nil || body.Current.Rev == 0 {
		return out, e
	}
	return out, &ConflictError{Current: body.Current, Err: e}
}

// finish reads an answer as do does.
func (c *Client) finish(req *http.Request, resp *http.Response, op string, out any) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := c.errorFrom(op, resp)
		if err.Status == http.StatusUnauthorized && req.Header.Get("Authorization") != "" {
			err.ended = true
			c.forget()
		}
		return err
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("%s: the server's answer is not what this client understands: %w", op, err)
	}
	return nil
}

// Revisions lists a project's revisions kept on the server, newest first,
// without their documents.
func (c *Client) Revisions(ctx context.Context, id string) ([]account.ProjectRevision, error) {
	var out account.Projects
	err := c.call(ctx, "list project revisions", http.MethodGet, projectPath(id)+"/revisions", true, nil, &out)
	return out.Projects, err
}

// Revision returns one kept revision of a project with its document.
func (c *Client) Revision(ctx context.Context, id string, rev int64) (account.ProjectRevision, error) {
	var out account.ProjectRevision
	err := c.call(ctx, "read project revision", http.MethodGet, projectPath(id)+"/revisions/"+strconv.FormatInt(rev, 10), true, nil, &out)
	return out, err
}

// PutClip files a rendered clip under a project, so that the account's
// other devices fetch it. Its blob must be on the server already
// (Upload); filing it again changes nothing.
func (c *Client) PutClip(ctx context.Context, project string, cl account.ProjectClip) error {
	return c.call(ctx, "file clip", http.MethodPut, projectPath(project)+"/clips", true, cl, nil)
}

// Clips lists the clips filed under a project.
func (c *Client) Clips(ctx context.Context, project string) ([]account.ProjectClip, error) {
	var out account.ProjectClips
	err := c.call(ctx, "list project clips", http.MethodGet, projectPath(project)+"/clips", true, nil, &out)
	return out.Clips, err
}
