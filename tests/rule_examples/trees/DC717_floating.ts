// path: server/api/radarr.ts
export class RadarrAPI {
  async searchMovie(id: number): Promise<void> {
    await this.post("/command", { name: "MoviesSearch", movieIds: [id] });
  }

  async addMovie(movie: Movie, searchNow: boolean): Promise<Movie> {
    if (movie.id) {
      if (searchNow && !movie.hasFile) {
        this.searchMovie(movie.id);  // error: DC717
      }
      return movie;
    }
    await this.searchMovie(0);  // ok: DC717
    return this.create(movie);
  }

  async refresh(id: number): Promise<void> {
    void this.searchMovie(id + 1);  // ok: DC717
    this.searchMovie(id).catch(() => undefined);  // ok: DC717
  }
}

const notify = async (id: number) => {
  await fetch(`/notify/${id}`);
};

export function onImported(id: number) {
  notify(id);  // error: DC717
  const pending = notify(id + 1);  // ok: DC717
  return pending;
}

notify(0);  // ok: DC717
