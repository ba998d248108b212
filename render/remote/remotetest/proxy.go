package remotetest

import (
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
)

// Proxy passes TCP connections on loopback to a server, and can cut them
// at random moments or refuse them all (the network down).
type Proxy struct {
	ln       net.Listener
	upstream string

	mu   sync.Mutex
	rnd  *rand.Rand
	cut  float64 // the chance that a connection is cut
	down bool
	cuts int
	// posts is how many more POSTs lose their whole answer.
	posts    int
	cutPosts int
	conns    map[net.Conn]bool
	wg       sync.WaitGroup
}

// NewProxy listens on 127.0.0.1 and passes connections to upstream
// ("127.0.0.1:PORT"); seed makes its cuts repeatable.
func NewProxy(upstream string, seed uint64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, upstream: upstream, rnd: rand.New(rand.NewPCG(seed, 1)), conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// URL is the proxy's address as a base URL.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Cut makes each connection from now on be cut, with chance chance, after
// a random number of bytes of the server's answer under 2 KiB: the
// request has reached the server, which may have acted on it, and its
// answer is lost — the hard case for a client.
func (p *Proxy) Cut(chance float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = chance
}

// CutPOSTs makes the next n POST requests reach the server and lose their
// whole answer: the server has made the job, the client never hears of it.
func (p *Proxy) CutPOSTs(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = n
}

// CutPOSTAnswers is how many POST answers were cut so far (by CutPOSTs or
// by chance).
func (p *Proxy) CutPOSTAnswers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cutPosts
}

// Down takes the network away (every connection, open or new, is
// dropped) or, with false, gives it back.
func (p *Proxy) Down(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

// Cuts is how many connections were cut so far.
func (p *Proxy) Cuts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// Close stops the proxy and drops its connections.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.Down(true)
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
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		budget := int64(-1)
		if p.rnd.Float64() < p.cut {
			budget = p.rnd.Int64N(2048)
		}
		p.conns[c] = true
		p.mu.Unlock()
		p.wg.Add(1)
		go p.serve(c, budget)
	}
}

// serve passes c on; after budget bytes of the answer (-1: no limit) it
// cuts both ends.
func (p *Proxy) serve(c net.Conn, budget int64) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	// The answer's pipe looks at the request's first bytes (which have
	// arrived before any answer) to tell a POST.
	var mu sync.Mutex
	var head []byte
	seen := func(b []byte) {
		mu.Lock()
		defer mu.Unlock()
		if len(head) < 8 {
			head = append(head, b[:min(len(b), 8-len(head))]...)
		}
	}
	left, first := budget, true
	take := func(b []byte) int {
		n := len(b)
		if first {
			first = false
			mu.Lock()
			post := strings.HasPrefix(string(head), "POST ")
			mu.Unlock()
			p.mu.Lock()
			if post && p.posts > 0 {
				p.posts--
				left = 0
			}
			if post && left >= 0 {
				p.cutPosts++
			}
			p.mu.Unlock()
		}
		if left < 0 {
			return n
		}
		k := int(min(int64(n), left))
		left -= int64(k)
		return k
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn, take func([]byte) int) {
		buf := make([]byte, 1024)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				k := take(buf[:n])
				if k > 0 {
					if _, werr := dst.Write(buf[:k]); werr != nil {
						break
					}
				}
				if k < n {
					p.mu.Lock()
					p.cuts++
					p.mu.Unlock()
					break
				}
			}
			if err != nil {
				break
			}
		}
		c.Close()
		up.Close()
		done <- struct{}{}
	}
	go pipe(up, c, func(b []byte) int { seen(b); return len(b) })
	go pipe(c, up, take)
	<-done
	<-done
}

var _ io.Closer = (*Proxy)(nil)
