package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/slatestudio/slate/account"
)

// CreateAPIKey makes an API key named name for the account and returns
// it with the key itself, which the server shows this once and keeps
// only as a hash: whoever asked must keep it now. The key works as a
// bearer token wherever the session does, except for managing keys,
// logging devices out and deleting the account, which need a session such
// as this client's.
func (c *Client) CreateAPIKey(ctx context.Context, name string) (account.CreatedAPIKey, error) {
	var out account.CreatedAPIKey
	err := c.call(ctx, "make API key", http.MethodPost, "/keys", true, account.NewAPIKey{Name: name}, &out)
	return out, err
}

// APIKeys lists the account's API keys, revoked ones included, oldest
// first; the keys themselves are not in it.
func (c *Client) APIKeys(ctx context.Context) ([]account.APIKey, error) {
	var out account.APIKeys
	err := c.call(ctx, "list API keys", http.MethodGet, "/keys", true, nil, &out)
	return out.Keys, err
}

// RevokeAPIKey revokes one of the account's API keys: the server refuses
// it from the moment this returns.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) error {
	return c.call(ctx, "revoke API key", http.MethodDelete, "/keys/"+url.PathEscape(id), true, nil, nil)
}
