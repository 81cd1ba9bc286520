// path: src/publisher.ts
import { Queue } from "bullmq";

export class Publisher {
  publishNext(): Promise<void> {
    const message = this.queue[0];
    return this.channel.publish(message).then(
      () => {
        this.queue.shift();
        this.publishNext();
        console.log("sent");
      },
      (err) => {
        this.queue.shift();
        message.reject(err);
      },
    );
  }

  flush(): Promise<void> {
    return this.channel.drain().then(() => this.close());
  }
}
