import type { Request, Response } from 'express';

export async function renderReport(req: Request, res: Response): Promise<void> {
    const { default: PDFDocument } = await import('pdfkit');
    const { format } = await import('date-fns');
    const doc = new PDFDocument();
    doc.text(`Report for ${format(new Date(), 'yyyy-MM-dd')}`);
    doc.pipe(res);
    doc.end();
}
