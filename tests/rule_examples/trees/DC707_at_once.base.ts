// path: src/activity-handlers/follow.handler.ts
export class FollowHandler {
    constructor(private readonly accounts: AccountService) {}

    async handle(follow: Follow, sender: Actor) {
        const target = await this.accounts.ensureByApId(follow.objectId);
        const follower = await this.accounts.ensureByApId(sender.id);
        const json = await follow.toJsonLd();
        const actor = await sender.toJsonLd();
        await this.accounts.followAccount(target, follower, json, actor);
    }
}
