package sharing

import (
	"context"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
)

// CreateAPIKey makes an API key for my account, named for what it is for
// (a render box, a script). The key is in the answer this once; the
// server keeps only its hash, so whoever asked must keep it now.
func (s *Service) CreateAPIKey(ctx context.Context, name string) (k account.CreatedAPIKey, err error) {
	err = s.call(ctx, func(c *client.Client) (err error) {
		k, err = c.CreateAPIKey(ctx, name)
		return err
	})
	return k, err
}

// APIKeys lists my account's API keys, revoked ones included, oldest
// first.
func (s *Service) APIKeys(ctx context.Context) (ks []account.APIKey, err error) {
	err = s.call(ctx, func(c *client.Client) (err error) {
		ks, err = c.APIKeys(ctx)
		return err
	})
	return ks, err
}

// RevokeAPIKey revokes one of my account's API keys: the server refuses
// it from the moment this returns.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) error {
	return s.call(ctx, func(c *client.Client) error { return c.RevokeAPIKey(ctx, id) })
}
