package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// askToClose asks window on the X display (":N") to close, as a window
// manager does when its close button is clicked: a WM_DELETE_WINDOW
// client message (ICCCM 4.2.8.1). xdotool's windowclose destroys the
// window from outside instead, which no person does, and Xvfb runs no
// window manager to ask; so this speaks the few requests of the X11
// protocol it needs itself, over the display's Unix socket.
func askToClose(display string, window uint32) error {
	n, err := strconv.Atoi(strings.TrimPrefix(display, ":"))
	if err != nil {
		return fmt.Errorf("display %q: want :N", display)
	}
	conn, err := net.DialTimeout("unix", fmt.Sprintf("/tmp/.X11-unix/X%d", n), 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	x := &x11{conn: conn}

	// Connection set-up, little-endian, protocol 11.0, no authorisation
	// (Xvfb started without -auth admits local clients).
	x.write([]byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		return fmt.Errorf("x11 set-up: %w", err)
	}
	rest := make([]byte, int(binary.LittleEndian.Uint16(head[6:]))*4)
	if _, err := io.ReadFull(conn, rest); err != nil {
		return fmt.Errorf("x11 set-up: %w", err)
	}
	if head[0] != 1 {
		return fmt.Errorf("x11 set-up refused: %s", rest[:min(len(rest), int(head[1]))])
	}

	protocols, err := x.internAtom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	del, err := x.internAtom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	// SendEvent with an empty event mask: the event goes to the client
	// that made the window.
	req := make([]byte, 44)
	req[0] = 25 // SendEvent
	binary.LittleEndian.PutUint16(req[2:], 11)
	binary.LittleEndian.PutUint32(req[4:], window)
	ev := req[12:]
	ev[0] = 33 // ClientMessage
	ev[1] = 32 // format
	binary.LittleEndian.PutUint32(ev[4:], window)
	binary.LittleEndian.PutUint32(ev[8:], protocols)
	binary.LittleEndian.PutUint32(ev[12:], del)
	x.write(req)
	// A round trip (GetInputFocus), so that an error about the event is
	// read before returning.
	x.write([]byte{43, 0, 1, 0})
	_, err = x.reply()
	return err
}

type x11 struct {
	conn net.Conn
	err  error
}

func (x *x11) write(b []byte) {
	if x.err == nil {
		_, x.err = x.conn.Write(b)
	}
}

// reply reads the 32-byte reply to the last request, or its error.
func (x *x11) reply() ([]byte, error) {
	if x.err != nil {
		return nil, x.err
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(x.conn, b); err != nil {
		return nil, err
	}
	if b[0] == 0 {
		return nil, fmt.Errorf("x11 error %d (request %d, value %#x)", b[1], b[10], binary.LittleEndian.Uint32(b[4:]))
	}
	if extra := binary.LittleEndian.Uint32(b[4:]); extra > 0 {
		if _, err := io.CopyN(io.Discard, x.conn, int64(extra)*4); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (x *x11) internAtom(name string) (uint32, error) {
	pad := (4 - len(name)%4) % 4
	req := make([]byte, 8+len(name)+pad)
	req[0] = 16 // InternAtom
	binary.LittleEndian.PutUint16(req[2:], uint16(len(req)/4))
	binary.LittleEndian.PutUint16(req[4:], uint16(len(name)))
	copy(req[8:], name)
	x.write(req)
	b, err := x.reply()
	if err != nil {
		return 0, fmt.Errorf("intern atom %s: %w", name, err)
	}
	return binary.LittleEndian.Uint32(b[8:]), nil
}
