# path: app/converters/csv_converter.rb
class CsvConverter
  def self.configure_cell_handlers(row)
    row.map(&:strip)
  end

  def self.configure(options)
    @options = options
  end
end
