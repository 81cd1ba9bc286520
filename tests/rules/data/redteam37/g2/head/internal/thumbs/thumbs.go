package thumbs

import (
	"github.com/example/app/internal/workerpool"
)

var renderPool = workerpool.NewPool(4)

var cache = map[string][]byte{}

func Warm(paths []string) {
	for _, path := range paths {
		path := path
		renderPool.Submit(func() {
			img := render(path)
			cache[path] = img
		})
	}
}

func Regenerate(paths []string) {
	pool := workerpool.NewPool(8)
	defer pool.StopWait()
	for _, path := range paths {
		path := path
		pool.Submit(func() {
			cache[path] = render(path)
		})
	}
}

func render(path string) []byte { return []byte(path) }
