// path: src/consumers/orders.ts
import { Kafka } from "kafkajs";
import amqp from "amqplib";
const consumer = kafka.consumer({ groupId: "orders" });  // ok: DC153
await consumer.run({  // error: DC153  // error: DC701
  eachMessage: async ({ message }) => {  // error: DC153
    await OrderModel.updateOne({ _id: message.key }, { status: "paid" });  // error: DC260
  },
  partitionsConsumedConcurrently: 3,  // error: DC510
});
const channel = await conn.createChannel();
await channel.prefetch(1);  // error: DC510
channel.consume("jobs", handle);  // error: DC153
