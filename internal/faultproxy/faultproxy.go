// Package faultproxy is a loopback TCP proxy for tests of transfers over
// a bad network: it forwards connections to a target, counts the bytes
// sent upstream, and can cut every connection when the upstream count
// reaches given offsets or flip one byte in transit. The target can be
// changed, so that a server restarted on another port is reached at the
// same address.
package faultproxy

import (
	"errors"
	"io"
	"net"
	"slices"
	"sync"
)

// Proxy forwards connections from its address to a target.
type Proxy struct {
	ln net.Listener

	mu     sync.Mutex
	target string
	up     int64   // bytes forwarded to the target, over all connections
	cuts   []int64 // upstream offsets at which to cut, ascending
	flips  []int64 // upstream offsets of bytes to flip, ascending
	cutN   int     // cuts made
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// New starts a proxy on 127.0.0.1 forwarding to target (host:port).
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetTarget sends new connections to target.
func (p *Proxy) SetTarget(target string) {
	p.mu.Lock()
	p.target = target
	p.mu.Unlock()
}

// CutAt makes the proxy close every open connection when its upstream
// count reaches each offset (counted from the proxy's start).
func (p *Proxy) CutAt(offsets ...int64) {
	p.mu.Lock()
	p.cuts = append(p.cuts, offsets...)
	slices.Sort(p.cuts)
	p.mu.Unlock()
}

// FlipAt makes the proxy invert the byte at each upstream offset.
func (p *Proxy) FlipAt(offsets ...int64) {
	p.mu.Lock()
	p.flips = append(p.flips, offsets...)
	slices.Sort(p.flips)
	p.mu.Unlock()
}

// Up is the bytes forwarded to the target so far.
func (p *Proxy) Up() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.up
}

// Cuts is how many cuts were made.
func (p *Proxy) Cuts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cutN
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
	p.mu.Unlock()
}

func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	p.mu.Lock()
	target := p.target
	p.mu.Unlock()
	server, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		client.Close()
		server.Close()
		return
	}
	defer p.untrack(client, server)
	done := make(chan struct{})
	go func() {
		io.Copy(client, server)
		client.Close()
		close(done)
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			send, cut := p.pass(buf[:n])
			if send > 0 {
				if _, werr := server.Write(buf[:send]); werr != nil {
					break
				}
			}
			if cut {
				p.cutAll()
				break
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				if tc, ok := server.(*net.TCPConn); ok {
					tc.CloseWrite()
				}
				<-done
			}
			break
		}
	}
	server.Close()
	<-done
}

// pass counts b going upstream, flipping bytes that fall on a flip offset;
// it returns how many of b to send and whether to cut after them.
func (p *Proxy) pass(b []byte) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	end := p.up + int64(len(b))
	for len(p.flips) > 0 && p.flips[0] < end {
		if at := p.flips[0]; at >= p.up {
			b[at-p.up] ^= 0xff
		}
		p.flips = p.flips[1:]
	}
	if len(p.cuts) > 0 && p.cuts[0] < end {
		at := max(p.cuts[0], p.up)
		for len(p.cuts) > 0 && p.cuts[0] <= at {
			p.cuts = p.cuts[1:]
		}
		p.cutN++
		n := int(at - p.up)
		p.up = at
		return n, true
	}
	p.up = end
	return len(b), false
}

// cutAll closes every connection, as a network that drops does.
func (p *Proxy) cutAll() {
	p.mu.Lock()
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, not a polite close
		}
		c.Close()
	}
	p.mu.Unlock()
}
