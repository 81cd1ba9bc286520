// path: src/activity-handlers/follow.handler.ts
export class FollowHandler {
    constructor(private readonly accounts: AccountService) {}

    async handle(follow: Follow, sender: Actor) {
        const [target, follower] = await Promise.all([  // error: DC707 (get-or-creates awaited in turn before)
            this.accounts.ensureByApId(follow.objectId),
            this.accounts.ensureByApId(sender.id),
        ]);
        const [json, actor] = await Promise.all([follow.toJsonLd(), sender.toJsonLd()]);  // ok: DC707 (reads)
        await this.accounts.followAccount(target, follower, json, actor);
    }
}
