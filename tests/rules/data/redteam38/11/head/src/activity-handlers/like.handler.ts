export class LikeHandler {
    constructor(
        private readonly accountService: AccountService,
        private readonly postService: PostService,
    ) {}

    async handle(like: Like, sender: Actor) {
        const [liker, post] = await Promise.all([
            this.accountService.ensureByApId(sender.id),
            this.postService.getByApId(like.objectId),
        ]);
        if (!post) {
            return;
        }
        await this.postService.likePost(liker, post);
    }
}
