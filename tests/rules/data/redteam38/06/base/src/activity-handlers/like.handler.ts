export class LikeHandler {
    constructor(
        private readonly accountService: AccountService,
        private readonly postService: PostService,
        private readonly feedService: FeedService,
    ) {}

    async handle(like: Like, sender: Actor) {
        const liker = await this.accountService.getByApId(sender.id);
        const post = await this.postService.getByApId(like.objectId);
        await this.postService.recordLike(post, liker);
        await Promise.all([
            this.feedService.updateFeedsForPost(post),
            this.accountService.notifyAuthor(post, liker),
        ]);
    }
}
