// path: apps/orchestrator/src/activities/post.activity.ts
import { Injectable } from "@nestjs/common";
import { Activity, ActivityMethod } from "nestjs-temporal-core";
import { PostsService } from "../posts/posts.service";

const GRACE_MS = 60 * 60 * 1000;

function slim(post: any) {
  return post;
}

@Injectable()
@Activity()
export class PostActivity {
  constructor(private readonly posts: PostsService) {}

  @ActivityMethod()
  async getPost(id: string) {
    const post = await this.posts.find(id);
    return slim(post);
  }
}
