// path: src/publisher.ts
import { Queue } from "bullmq";

export class Publisher {
  publishNext(): Promise<void> {
    const message = this.queue.shift();  // error: DC707 (the next message is taken before this one is confirmed)
    this.unconfirmed.push(message);
    const sent = this.channel.publish(message);
    this.publishNext();  // error: DC707 (the next publish no longer waits for this one)
    console.log("sending");  // ok: DC707 (logging)
    return sent.then(
      () => {
        this.unconfirmed.shift();
      },
      (err) => {
        this.unconfirmed.shift();
        message.reject(err);
      },
    );
  }

  flush(): Promise<void> {
    return this.channel.drain().then(() => this.close(true));  // ok: DC707 (still in the continuation)
  }
}
