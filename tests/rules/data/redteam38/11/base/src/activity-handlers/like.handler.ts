export class LikeHandler {
    constructor(
        private readonly accountService: AccountService,
        private readonly postService: PostService,
    ) {}

    async handle(like: Like, sender: Actor) {
        const liker = await this.accountService.ensureByApId(sender.id);
        const post = await this.postService.getByApId(like.objectId);
        if (!post) {
            return;
        }
        await this.postService.likePost(liker, post);
    }
}
