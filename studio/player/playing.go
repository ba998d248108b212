package player

// Playing reports whether the preview is playing. The session asks it
// (session.SetPlayer) so that selecting a shot leaves the playhead to
// playback while it runs. It may be called from any goroutine.
func (p *Player) Playing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.playing
}
