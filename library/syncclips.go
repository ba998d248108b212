package library

import (
	"context"
	"fmt"

	"github.com/slatestudio/slate/internal/sqlitedb"
)

// ClipsOf lists the clips whose file is the blob sum, in every project:
// what project sync tells the server of once the blob is up there.
func (l *Library) ClipsOf(ctx context.Context, sum string) ([]Clip, error) {
	out, err := sqlitedb.All(ctx, l.db, scanClip, `SELECT `+clipColumns+` FROM clips WHERE sha256 = ? ORDER BY project_id, shot_id, key`, sum)
	if err != nil {
		return nil, fmt.Errorf("list the clips of %s: %w", sum, err)
	}
	return out, nil
}

// ProjectClips lists a project's clips, for comparing with the server's.
func (l *Library) ProjectClips(ctx context.Context, projectID string) ([]Clip, error) {
	out, err := sqlitedb.All(ctx, l.db, scanClip, `SELECT `+clipColumns+` FROM clips WHERE project_id = ? ORDER BY shot_id, key`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list the clips of project %s: %w", projectID, err)
	}
	return out, nil
}
