// path: server/api/radarr.ts
export class RadarrAPI {
  async searchMovie(id: number): Promise<void> {
    await this.post("/command", { name: "MoviesSearch", movieIds: [id] });
  }

  async addMovie(movie: Movie, searchNow: boolean): Promise<Movie> {
    if (movie.id) {
      return movie;
    }
    return this.create(movie);
  }

  async refresh(id: number): Promise<void> {
    void this.searchMovie(id);
  }
}

const notify = async (id: number) => {
  await fetch(`/notify/${id}`);
};

export function onImported(id: number) {
  return notify(id);
}
