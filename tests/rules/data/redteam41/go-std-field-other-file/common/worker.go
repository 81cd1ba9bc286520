package hooks

type Worker struct {
	events chan Event
	client *DeliveryClient
}
