// path: internal/poller/poller.go
package poller

type Poller struct{ jobs chan int }

func (p *Poller) Start() {
	go p.loop()
}

func (p *Poller) loop() {
	for id := range p.jobs {
		if id > 0 {  // error: DC701
			handle(id)
		}
	}
}

func (p *Poller) Name() string {
	return "poller-1"  // ok: DC701
}
