// path: web/cookie.go
// `MaxAge` of a cookie and `Ack` of the application's own type, in a file that imports no broker.
package web

import "net/http"

func Cookie() *http.Cookie {
	return &http.Cookie{Name: "s", MaxAge: 3600}  // ok: DC525
}

func (s *Session) Done() {
	s.Ack()  // ok: DC525
}
