import { db } from './DB'

export async function getPad(id: string, text?: string) {
  const pad = await db.get(`pad:${id}`)
  if (pad != null) return pad
  const created = { id, text: text ?? '' }
  await db.set(`pad:${id}`, created)
  return created
}
