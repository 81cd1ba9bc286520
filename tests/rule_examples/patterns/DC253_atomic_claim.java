// path: xmppserver/src/main/java/org/chat/nio/RateLimitHandler.java
// An atomic claim decides which thread does the work (a Netty handler shared by every channel
// counts a channel once: the first `getAndSet` wins).
package org.chat.nio;

public class RateLimitHandler {
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().attr(COUNTED).getAndSet(Boolean.TRUE) != null) {  // error: DC253
            return;
        }
        if (!started.compareAndSet(false, true)) {  // error: DC253
            return;
        }
        final Boolean counted = ctx.channel().attr(COUNTED).get();  // ok: DC253
        limiter.setAndGetTokens(counted);  // ok: DC253
    }
}
