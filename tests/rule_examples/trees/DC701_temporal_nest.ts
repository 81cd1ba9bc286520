// path: apps/orchestrator/src/activities/post.activity.ts
import { Injectable } from "@nestjs/common";
import { Activity, ActivityMethod } from "nestjs-temporal-core";
import { PostsService } from "../posts/posts.service";

const GRACE_MS = 2 * 60 * 60 * 1000;  // error: DC701 (a module-private constant that function reads)

function slim(post: any) {
  return post;
}

// A repeating post's publish date moves to its next occurrence: the workflow sleeps on it.
function reanchor(post: any) {  // error: DC701 (a module-private function the activity calls)
  const late = Date.now() - post.publishDate.getTime() - GRACE_MS;
  return late > 0 ? { ...post, publishDate: new Date(Date.now() + post.interval) } : post;
}

@Injectable()
@Activity()
export class PostActivity {
  constructor(private readonly posts: PostsService) {}

  @ActivityMethod()
  async getPost(id: string) {
    const post = await this.posts.find(id);
    return reanchor(slim(post));  // error: DC701
  }
}
